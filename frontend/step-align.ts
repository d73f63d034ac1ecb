/**
 * Step alignment (`-querier.align-querier-with-step`): start and end are rounded down to a
 * multiple of the step, so that the same dashboard loaded a little later asks for the same
 * timestamps and hits the results cache. It changes the answer's timestamps, hence off by default.
 */

import type { Middleware } from './types.js';
import { withStartEnd } from './types.js';

export function stepAlignMiddleware(): Middleware {
  return (next) => (req, signal) => {
    if (req.stepMs <= 0) return next(req, signal);
    const start = Math.floor(req.startMs / req.stepMs) * req.stepMs;
    const end = Math.floor(req.endMs / req.stepMs) * req.stepMs;
    return next(withStartEnd(req, start, end), signal);
  };
}

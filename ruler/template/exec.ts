/**
 * The executor of parsed templates (Go's text/template semantics with Prometheus's
 * `missingkey=zero`): pipelines pass each command's result as the next one's last argument,
 * variables are scoped to their control structure, `range` walks slices and maps (keys sorted),
 * printing is fmt's. Functions may be async (Prometheus's `query`).
 */

import type { Arg, Command, Node, Pipe } from './parse.js';
import { TemplateError, argString, commandString } from './parse.js';
import { GoMap, GoStruct, Sample, type Value, formatValue, goTypeOf, truth } from './values.js';

export type TemplateFunc = (...args: Value[]) => Value | Promise<Value>;

export interface FuncDef {
  readonly fn: TemplateFunc;
  /** Fixed argument count, or null for variadic. */
  readonly arity: number | null;
}

/** A function failed: text/template reports it as `error calling NAME: MESSAGE`. */
export class FuncError extends Error {}

class Break {}
class Continue {}

export class Executor {
  private out = '';
  private readonly vars: { name: string; value: Value }[][] = [];
  /** The command being evaluated: errors say where (Go's ErrorContext). */
  private at: Command | null = null;

  constructor(
    private readonly name: string,
    private readonly text: string,
    private readonly funcs: ReadonlyMap<string, FuncDef>,
  ) {}

  async run(nodes: readonly Node[], dot: Value): Promise<string> {
    this.out = '';
    this.vars.length = 0;
    this.vars.push([{ name: '$', value: dot }]);
    await this.list(nodes, dot);
    return this.out;
  }

  private fail(msg: string): never {
    const c = this.at;
    if (c === null) throw new TemplateError(`template: ${this.name}: executing "${this.name}": ${msg}`);
    const before = this.text.slice(0, c.pos);
    const nl = before.lastIndexOf('\n');
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const col = nl < 0 ? c.pos : c.pos - nl - 1;
    throw new TemplateError(`template: ${this.name}:${line}:${col}: executing "${this.name}" at <${commandString(c)}>: ${msg}`);
  }

  private lookupVar(name: string): Value {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const scope = this.vars[i]!;
      for (let j = scope.length - 1; j >= 0; j--) if (scope[j]!.name === name) return scope[j]!.value;
    }
    return this.fail(`undefined variable: ${name}`);
  }

  private setVar(name: string, value: Value, declare: boolean): void {
    if (declare) {
      this.vars[this.vars.length - 1]!.push({ name, value });
      return;
    }
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const scope = this.vars[i]!;
      for (let j = scope.length - 1; j >= 0; j--) {
        if (scope[j]!.name === name) {
          scope[j]!.value = value;
          return;
        }
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  private async list(nodes: readonly Node[], dot: Value): Promise<void> {
    for (const n of nodes) await this.node(n, dot);
  }

  private async scoped(nodes: readonly Node[], dot: Value): Promise<void> {
    this.vars.push([]);
    try {
      await this.list(nodes, dot);
    } finally {
      this.vars.pop();
    }
  }

  private async node(n: Node, dot: Value): Promise<void> {
    switch (n.k) {
      case 'text':
        this.out += n.text;
        return;
      case 'action': {
        const v = await this.pipe(n.pipe, dot);
        if (n.pipe.decl.length === 0) this.out += v === null ? '<no value>' : formatValue(v);
        return;
      }
      case 'if':
      case 'with': {
        this.vars.push([]);
        try {
          const v = await this.pipe(n.pipe, dot);
          if (truth(v)) await this.scoped(n.list, n.k === 'with' ? v : dot);
          else if (n.elseList) await this.scoped(n.elseList, dot);
        } finally {
          this.vars.pop();
        }
        return;
      }
      case 'range':
        await this.range(n, dot);
        return;
      case 'break':
        throw new Break();
      case 'continue':
        throw new Continue();
    }
  }

  private async range(n: Extract<Node, { k: 'range' }>, dot: Value): Promise<void> {
    this.vars.push([]);
    try {
      const v = await this.pipe({ ...n.pipe, decl: [] }, dot);
      let items: [Value, Value][];
      if (Array.isArray(v)) items = v.map((x, i): [Value, Value] => [BigInt(i), x]);
      else if (v instanceof GoMap) items = [...v.m.keys()].sort().map((k): [Value, Value] => [k, v.m.get(k)!]);
      else if (typeof v === 'bigint') items = Array.from({ length: Number(v) }, (_, i): [Value, Value] => [BigInt(i), BigInt(i)]);
      else if (v === null) items = [];
      else return this.fail(`range can't iterate over ${formatValue(v)}`);
      if (items.length === 0) {
        if (n.elseList) await this.scoped(n.elseList, dot);
        return;
      }
      for (const [k, x] of items) {
        const scope: { name: string; value: Value }[] = [];
        if (n.pipe.decl.length === 1) scope.push({ name: n.pipe.decl[0]!, value: x });
        if (n.pipe.decl.length === 2) scope.push({ name: n.pipe.decl[0]!, value: k }, { name: n.pipe.decl[1]!, value: x });
        this.vars.push(scope);
        try {
          await this.list(n.list, x);
        } catch (e) {
          if (e instanceof Break) break;
          if (!(e instanceof Continue)) throw e;
        } finally {
          this.vars.pop();
        }
      }
    } finally {
      this.vars.pop();
    }
  }

  private async pipe(p: Pipe, dot: Value): Promise<Value> {
    let v: Value | undefined;
    for (const c of p.cmds) v = await this.command(c, dot, v);
    const value = v ?? null;
    if (p.decl.length > 0) this.setVar(p.decl[0]!, value, !p.isAssign);
    return value;
  }

  private async command(c: Command, dot: Value, final: Value | undefined): Promise<Value> {
    this.at = c;
    const [first, ...rest] = c.args;
    if (first!.k === 'ident') {
      const def = this.funcs.get(first!.name)!;
      const args: Value[] = [];
      for (const a of rest) args.push(await this.arg(a, dot));
      if (final !== undefined) args.push(final);
      if (def.arity !== null && args.length !== def.arity) this.fail(`wrong number of args for ${first!.name}: want ${def.arity} got ${args.length}`);
      this.at = c;
      try {
        return await def.fn(...args);
      } catch (e) {
        if (e instanceof TemplateError) throw e;
        return this.fail(`error calling ${first!.name}: ${(e as Error).message}`);
      }
    }
    if (rest.length > 0 || final !== undefined) this.fail(`can't give argument to non-function ${argString(first!)}`);
    const v = await this.arg(first!, dot);
    this.at = c;
    return v;
  }

  private async arg(a: Arg, dot: Value): Promise<Value> {
    switch (a.k) {
      case 'dot':
        return dot;
      case 'field':
        return this.chain(dot, a.chain);
      case 'var':
        return this.chain(this.lookupVar(a.name), a.chain);
      case 'string':
        return a.v;
      case 'number':
        return a.v;
      case 'bool':
        return a.v;
      case 'nil':
        return null;
      case 'pipe':
        return this.chain(await this.pipe(a.pipe, dot), a.chain);
      case 'ident': {
        const def = this.funcs.get(a.name)!;
        if (def.arity !== null && def.arity !== 0) this.fail(`wrong number of args for ${a.name}: want ${def.arity} got 0`);
        try {
          return await def.fn();
        } catch (e) {
          return this.fail(`error calling ${a.name}: ${(e as Error).message}`);
        }
      }
    }
  }

  private chain(v: Value, chain: readonly string[]): Value {
    let cur = v;
    for (const f of chain) {
      if (cur instanceof GoMap) cur = cur.m.has(f) ? cur.m.get(f)! : cur.zero;
      else if (cur instanceof GoStruct) {
        if (!cur.fields.has(f)) this.fail(`can't evaluate field ${f} in type ${cur.goType}`);
        cur = cur.fields.get(f)!;
      } else if (cur instanceof Sample) {
        if (f === 'Labels') cur = cur.labels;
        else if (f === 'Value') cur = cur.value;
        else this.fail(`can't evaluate field ${f} in type *template.sample`);
      } else if (cur === null) this.fail(`nil pointer evaluating interface {}.${f}`);
      else this.fail(`can't evaluate field ${f} in type ${goTypeOf(cur)}`);
    }
    return cur;
  }
}

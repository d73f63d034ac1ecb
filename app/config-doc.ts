/** docs/configuration.md, generated from the option table (checked by a golden test). */

import { BLOCKS } from './config.js';
import { type BlockDef, defaultText } from '../util/options.js';

export function configurationReference(): string {
  const out: string[] = [
    '# Configuration reference',
    '',
    'Generated from the option table in `app/config.ts`; `UPDATE_GOLDEN=1 npx vitest run app/config-doc` refreshes it.',
    'Every option is a YAML key (under its section) and, where it has one, a flag; flags win over `-config.file`.',
    'Durations are written `10m`, `1h30m`, `2d`; lists as YAML sequences or comma-separated text.',
    '',
  ];
  for (const [section, def] of Object.entries(BLOCKS) as [string, BlockDef][]) {
    out.push(`## ${section === '' ? 'top level' : `\`${section}\``}`, '', '| YAML key | flag | type | default | meaning |', '| --- | --- | --- | --- | --- |');
    for (const [key, d] of Object.entries(def)) {
      const flag = d.flag ? `\`-${d.flag}\`` : '';
      const dflt = defaultText(d);
      out.push(`| \`${key}\` | ${flag} | ${d.kind} | ${dflt === '' ? '' : `\`${dflt}\``} | ${d.help.replace(/\|/g, '\\|')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

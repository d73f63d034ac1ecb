/**
 * Prometheus's rule-file format (rulefmt): the YAML shape users write and `promtool check rules`
 * validates. Durations stay as written (Prometheus model durations: `30s`, `1h30m`, `2d`) so a
 * group read back from a rule store is the group that was written.
 */

export interface RuleNode {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly keep_firing_for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface RuleGroupNode {
  readonly name: string;
  /** Evaluation interval; the ruler's default (`-ruler.evaluation-interval`) when absent. */
  readonly interval?: string;
  /** Most series (recording) or alerts (alerting) a rule may produce; 0 or absent means no limit. */
  readonly limit?: number;
  readonly rules: readonly RuleNode[];
}

export interface RuleGroupsFile {
  readonly groups: readonly RuleGroupNode[];
}

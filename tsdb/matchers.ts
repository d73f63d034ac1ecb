/** Label matchers with Prometheus semantics: regexes are fully anchored; an absent label is "". */

export type MatchType = '=' | '!=' | '=~' | '!~';

export class Matcher {
  private readonly re: RegExp | null;

  constructor(
    readonly type: MatchType,
    readonly name: string,
    readonly value: string,
  ) {
    this.re = type === '=~' || type === '!~' ? new RegExp(`^(?:${value})$`, 'u') : null;
  }

  matches(v: string): boolean {
    switch (this.type) {
      case '=':
        return v === this.value;
      case '!=':
        return v !== this.value;
      case '=~':
        return this.re!.test(v);
      case '!~':
        return !this.re!.test(v);
    }
  }

  /** True when the matcher also matches series that lack the label. */
  matchesEmpty(): boolean {
    return this.matches('');
  }

  toString(): string {
    return `${this.name}${this.type}${JSON.stringify(this.value)}`;
  }
}

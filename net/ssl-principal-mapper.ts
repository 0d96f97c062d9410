// Kafka's ssl.principal.mapping.rules (SslPrincipalMapper): a comma-separated list of
// `RULE:<pattern>/<replacement>/[L|U]` and `DEFAULT`, tried in order on a client certificate's
// distinguished name (RFC 2253). A RULE whose pattern matches the whole name gives the replacement
// ($1, $2 … are its groups), lower- or upper-cased with L or U; DEFAULT gives the name unchanged. A
// name no rule matches has no principal: the connection is refused, as Kafka fails its authentication.

type Rule = { kind: 'default' } | { kind: 'rule'; pattern: RegExp; replacement: string; caseChange: '' | 'L' | 'U'; text: string };

/** One rule at the start of `text`: DEFAULT or RULE:pattern/replacement/[LU], with `\` escaping inside pattern and replacement. */
const RULE = /^\s*(?:(DEFAULT)|RULE:((?:\\.|[^\\/])*)\/((?:\\.|[^\\/])*)\/([LU]?))\s*(?:,|$)/;

export class SslPrincipalMapper {
  private constructor(
    private readonly rules: readonly Rule[],
    readonly text: string,
  ) {}

  /** The mapper for a rules string; throws an Error naming the part it cannot read. */
  static parse(text: string): SslPrincipalMapper {
    const rules: Rule[] = [];
    let rest = text.trim();
    while (rest !== '') {
      const m = RULE.exec(rest);
      if (m === null) throw new Error(`cannot read the rule at "${rest}" (expected DEFAULT or RULE:pattern/replacement/[L|U])`);
      if (m[1] !== undefined) rules.push({ kind: 'default' });
      else {
        let pattern: RegExp;
        try {
          pattern = new RegExp(`^(?:${m[2]!})$`);
        } catch (err) {
          throw new Error(`the pattern "${m[2]!}" is not a regular expression: ${(err as Error).message}`);
        }
        rules.push({ kind: 'rule', pattern, replacement: m[3]!, caseChange: m[4] as '' | 'L' | 'U', text: m[0].trim().replace(/,$/, '') });
      }
      rest = rest.slice(m[0].length).trim();
    }
    if (rules.length === 0) throw new Error('no rules (DEFAULT keeps the distinguished name as it is)');
    return new SslPrincipalMapper(rules, text);
  }

  static readonly DEFAULT = SslPrincipalMapper.parse('DEFAULT');

  /** The principal's name for a distinguished name, or null when no rule applies. */
  name(distinguishedName: string): string | null {
    for (const rule of this.rules) {
      if (rule.kind === 'default') return distinguishedName;
      if (!rule.pattern.test(distinguishedName)) continue;
      const mapped = distinguishedName.replace(rule.pattern, rule.replacement);
      return rule.caseChange === 'L' ? mapped.toLowerCase() : rule.caseChange === 'U' ? mapped.toUpperCase() : mapped;
    }
    return null;
  }
}

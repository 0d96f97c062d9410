// ssl.principal.mapping.rules read and applied as Kafka's SslPrincipalMapper does (its documented examples).

import { describe, expect, it } from 'vitest';
import { SslPrincipalMapper } from '../../net/ssl-principal-mapper.ts';

describe('ssl.principal.mapping.rules', () => {
  const dn = 'CN=kafka-client,OU=ServiceUsers,O=Unknown,L=Unknown,ST=Unknown,C=Unknown';

  it('maps by the first rule whose pattern matches the whole name, with its groups, L and U', () => {
    const m = SslPrincipalMapper.parse('RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/, RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L, DEFAULT');
    expect(m.name(dn)).toBe('kafka-client');
    expect(m.name('CN=Alice,OU=Eng,O=acme,L=x,ST=y,C=z')).toBe('alice@eng');
    expect(m.name('CN=bob')).toBe('CN=bob');
    expect(SslPrincipalMapper.parse('RULE:^CN=([^,]*).*$/$1/U').name('CN=bob,O=acme')).toBe('BOB');
  });

  it('a pattern must match the whole name; a name no rule matches has no principal', () => {
    const m = SslPrincipalMapper.parse('RULE:CN=(.*?),OU=eng/$1/');
    expect(m.name('CN=alice,OU=eng')).toBe('alice');
    expect(m.name('CN=alice,OU=eng,O=acme')).toBeNull();
  });

  it('DEFAULT keeps the name; escaped slashes belong to the pattern', () => {
    expect(SslPrincipalMapper.DEFAULT.name(dn)).toBe(dn);
    expect(SslPrincipalMapper.parse('RULE:^CN=a\\/b$/ab/').name('CN=a/b')).toBe('ab');
  });

  it('names what it cannot read', () => {
    expect(() => SslPrincipalMapper.parse('RULE:^CN=(.*)$/$1')).toThrow(/cannot read the rule at "RULE:\^CN=\(\.\*\)\$\/\$1"/);
    expect(() => SslPrincipalMapper.parse('DEFAULTS')).toThrow(/cannot read the rule/);
    expect(() => SslPrincipalMapper.parse('RULE:^CN=(.*$/$1/')).toThrow(/not a regular expression/);
    expect(() => SslPrincipalMapper.parse(' ')).toThrow(/no rules/);
  });
});

// Kafka's `sasl.jaas.config` value: one JAAS login module entry, `<class> <flag> key="value" ... ;`
// (PlainLoginModule's username/password and user_<name> entries, ScramLoginModule's username/password).

export interface JaasEntry {
  loginModule: string;
  flag: 'required' | 'requisite' | 'sufficient' | 'optional';
  options: ReadonlyMap<string, string>;
}

export const PLAIN_LOGIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';
export const SCRAM_LOGIN_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';

/** Parses one entry; throws an Error saying what was expected. */
export function parseJaasConfig(text: string): JaasEntry {
  const tokens = tokenize(text.trim());
  const [loginModule, flag, ...rest] = tokens;
  if (loginModule === undefined || !/^[A-Za-z_$][\w$.]*$/.test(loginModule)) throw new Error('expected "<LoginModule class> required key=\"value\" ...;"');
  if (flag !== 'required' && flag !== 'requisite' && flag !== 'sufficient' && flag !== 'optional') {
    throw new Error(`expected a control flag (required, requisite, sufficient or optional) after ${loginModule}, got "${flag ?? ''}"`);
  }
  if (rest.at(-1) !== ';') throw new Error('the entry must end with ";"');
  const options = new Map<string, string>();
  const body = rest.slice(0, -1);
  for (let i = 0; i < body.length; i += 3) {
    const [key, eq, value] = [body[i], body[i + 1], body[i + 2]];
    if (key === undefined || eq !== '=' || value === undefined || key === ';' || key === '=')
      throw new Error(`expected key="value" options, got "${body.slice(i).join(' ')}"`);
    if (value === ';') throw new Error('only one login module entry is allowed');
    options.set(key, value);
  }
  return { loginModule, flag, options };
}

/** Words, quoted strings (without their quotes, backslash escapes resolved), `=` and `;`. */
function tokenize(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '=' || c === ';') {
      out.push(c);
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i++];
      }
      if (i >= text.length) throw new Error('unterminated quoted value');
      i++;
      out.push(value);
    } else {
      const m = /^[^\s=;"]+/.exec(text.slice(i))!;
      out.push(m[0]);
      i += m[0].length;
    }
  }
  return out;
}

/** PLAIN's user database: the `user_<name>` options. */
export function plainUsers(entry: JaasEntry): Map<string, string> {
  const users = new Map<string, string>();
  for (const [key, value] of entry.options) if (key.startsWith('user_')) users.set(key.slice(5), value);
  return users;
}

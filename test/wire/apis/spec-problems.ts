// Shape checks for a MessageSpec, as Kafka's message generator would make them on its JSON definitions: names,
// version ranges inside validVersions, nullable only where Kafka allows null, tags only in flexible versions and
// unique per struct, and defaults of the field's type. Returns the problems found (empty when the spec is sound).
import { versionRange, type FieldType, type MessageSpec, type StructSpec, type VersionRange } from '../../../core/wire/spec.ts';

const NULLABLE_SCALARS = new Set(['string', 'bytes', 'records']);
const INTEGER_SCALARS = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64']);

const overlaps = (a: VersionRange, b: VersionRange) => a.min > a.max || (a.min <= b.max && b.min <= a.max);

export function specProblems(spec: MessageSpec): string[] {
  if (!/^[A-Z][A-Za-z]*$/.test(spec.name)) return [`${spec.name}: not a PascalCase message name`];
  const problems: string[] = [];
  if (spec.apiKey >= 0 && !spec.name.endsWith(spec.type === 'request' ? 'Request' : 'Response')) problems.push(`${spec.name}: name vs type ${spec.type}`);
  structProblems(spec, spec, spec.name, versionRange(spec.validVersions), problems);
  return problems;
}

function structProblems(spec: MessageSpec, struct: StructSpec, path: string, outer: VersionRange, problems: string[]): void {
  const valid = versionRange(spec.validVersions);
  const flexible = versionRange(spec.flexibleVersions);
  const seen = new Set<string>();
  const tags: { tag: number; range: VersionRange; name: string }[] = [];
  for (const field of struct.fields) {
    const where = `${path}.${field.name}`;
    if (!/^[a-z][A-Za-z0-9]*$/.test(field.name)) problems.push(`${where}: not lowerCamelCase`);
    if (seen.has(field.name)) problems.push(`${where}: duplicate`);
    seen.add(field.name);
    const range = versionRange(field.versions);
    // Kafka's definitions let a nested field say "0+" under a parent of later versions (it exists where both do),
    // but a field that never meets its parent's versions is a mistake.
    if (!overlaps({ min: range.min, max: Math.min(range.max, valid.max) }, outer))
      problems.push(`${where}: versions ${field.versions} never meet its parent's`);
    if (field.nullableVersions !== undefined) {
      const nullable = versionRange(field.nullableVersions);
      // Kafka's definitions often say "0+" for a field that appears later: null is allowed wherever both hold.
      if (!overlaps(nullable, range)) problems.push(`${where}: nullableVersions ${field.nullableVersions} never meet versions ${field.versions}`);
      if (typeof field.type === 'string' && !NULLABLE_SCALARS.has(field.type)) problems.push(`${where}: a ${field.type} cannot be null`);
    }
    if ((field.tag === undefined) !== (field.taggedVersions === undefined)) problems.push(`${where}: tag without taggedVersions or the reverse`);
    if (field.tag !== undefined && field.taggedVersions !== undefined) {
      const tagged = versionRange(field.taggedVersions);
      if (tagged.min < flexible.min) problems.push(`${where}: tagged outside the flexible versions`);
      if (tagged.max !== range.max || tagged.min < range.min) problems.push(`${where}: taggedVersions ${field.taggedVersions} vs versions ${field.versions}`);
      for (const other of tags) {
        if (other.tag === field.tag && other.range.min <= tagged.max && tagged.min <= other.range.max)
          problems.push(`${where}: tag ${field.tag} shared with ${other.name}`);
      }
      tags.push({ tag: field.tag, range: tagged, name: field.name });
    }
    if (field.default !== undefined) {
      const problem = defaultProblem(field.type, field.default, field.nullableVersions !== undefined);
      if (problem !== null) problems.push(`${where}: ${problem}`);
    }
    const inner = typeof field.type === 'string' ? null : 'fields' in field.type ? field.type : typeof field.type.array === 'string' ? null : field.type.array;
    if (inner !== null) structProblems(spec, inner, where, { min: Math.max(range.min, outer.min), max: Math.min(range.max, outer.max) }, problems);
  }
}

function defaultProblem(type: FieldType, value: unknown, nullable: boolean): string | null {
  if (value === null) return nullable ? null : 'default null on a field that is never nullable';
  if (typeof type !== 'string') return 'a default on an array or struct';
  if (INTEGER_SCALARS.has(type)) return Number.isSafeInteger(value) ? null : `default ${String(value)} is not an integer`;
  if (type === 'bool') return typeof value === 'boolean' ? null : 'default of a bool is not a boolean';
  if (type === 'string') return typeof value === 'string' ? null : 'default of a string is not a string';
  return null;
}

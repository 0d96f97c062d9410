// The Kubernetes Indexed Job of deploy/ cannot run here, so this keeps it from drifting: it parses,
// it is an Indexed Job whose completions are the N of its --shard, its command is one `samsa explore`
// accepts (every flag parsed as the command would), the index comes from JOB_COMPLETION_INDEX, and
// the results land on the volume the results reader mounts.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main.ts';
import { root } from './samsa.ts';

interface Mount {
  name: string;
  mountPath: string;
}
interface PodSpec {
  restartPolicy?: string;
  containers: Array<{
    name: string;
    command?: string[];
    args?: string[];
    resources?: { requests?: { cpu?: string } };
    volumeMounts?: Mount[];
  }>;
  volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }>;
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
}

function manifests(file: string): Manifest[] {
  const docs = parseAllDocuments(readFileSync(join(root, 'deploy', file), 'utf8'));
  if (!Array.isArray(docs)) throw new Error(`${file}: not YAML documents`);
  for (const doc of docs) expect(doc.errors, file).toEqual([]);
  return docs.map((doc) => doc.toJS() as Manifest);
}

/** The claim a pod spec mounts at `path`. */
function claimAt(spec: PodSpec, path: string): string | undefined {
  const mount = spec.containers[0]!.volumeMounts?.find((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`));
  return spec.volumes?.find((v) => v.name === mount?.name)?.persistentVolumeClaim?.claimName;
}

const [claim, job] = manifests('explore-job.yaml');
const spec = job!.spec as {
  completionMode: string;
  completions: number;
  parallelism: number;
  podFailurePolicy: { rules: unknown[] };
  template: { spec: PodSpec };
};
const pod = spec.template.spec;
const container = pod.containers[0]!;
const args = container.args ?? [];
const flag = (name: string) => args[args.indexOf(name) + 1];

describe('deploy/explore-job.yaml', () => {
  it('is an Indexed Job with as many completions as --shard has shards', () => {
    expect(job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job' });
    expect(spec.completionMode).toBe('Indexed');
    expect(flag('--shard')).toBe(`$(JOB_COMPLETION_INDEX)/${spec.completions}`);
    expect(spec.parallelism).toBeGreaterThanOrEqual(1);
    expect(spec.parallelism).toBeLessThanOrEqual(spec.completions);
    expect(pod.restartPolicy).toBe('Never');
  });

  it("runs samsa explore through the image's entrypoint, with flags and values samsa explore accepts", () => {
    expect(readFileSync(join(root, 'deploy', 'Dockerfile'), 'utf8')).toMatch(/^ENTRYPOINT \["node", "bin\/samsa\.js"\]$/m);
    expect(container.command).toBeUndefined();
    expect(args[0]).toBe('explore');
    // As a pod would run it: Kubernetes has put the index in.
    const asRun = args.slice(1).map((a) => a.replaceAll('$(JOB_COMPLETION_INDEX)', '3'));
    const explore = buildProgram().commands.find((c) => c.name() === 'explore')!;
    const { operands, unknown } = explore.parseOptions(asRun);
    expect(unknown).toEqual([]);
    expect(operands).toHaveLength(1);
    expect(existsSync(join(root, operands[0]!)), `${operands[0]} is in the image`).toBe(true);
    expect(explore.opts()).toMatchObject({ shard: { index: 3, count: spec.completions }, out: '/results/shard-3' });
  });

  it('writes each shard to its own folder on the claimed volume, with a core per worker', () => {
    expect(claim).toMatchObject({ kind: 'PersistentVolumeClaim', spec: { accessModes: ['ReadWriteMany'] } });
    expect(flag('--out')).toContain('$(JOB_COMPLETION_INDEX)');
    expect(claimAt(pod, flag('--out')!)).toBe(claim!.metadata.name);
    const cpus = Number(container.resources?.requests?.cpu);
    expect(cpus).toBeGreaterThanOrEqual(1);
    expect(cpus).toBeLessThanOrEqual(2);
    expect(Number(flag('--workers'))).toBeLessThanOrEqual(cpus);
  });

  it("fails a shard's index without a retry on a verdict (1, 2, 3), and the Job on a bad argument (64)", () => {
    expect(spec.podFailurePolicy.rules).toEqual(
      expect.arrayContaining([
        { action: 'FailIndex', onExitCodes: { containerName: container.name, operator: 'In', values: [1, 2, 3] } },
        { action: 'FailJob', onExitCodes: { containerName: container.name, operator: 'In', values: [64] } },
      ]),
    );
  });

  it('has a results reader that mounts the same volume where the shards write', () => {
    const [reader] = manifests('results-reader.yaml');
    expect(reader).toMatchObject({ kind: 'Pod' });
    expect(claimAt(reader!.spec as unknown as PodSpec, '/results')).toBe(claim!.metadata.name);
    expect(claimAt(pod, '/results')).toBe(claim!.metadata.name);
  });
});

import { KNOWN_BUGS } from './core/bugs.ts';
import { loadScenario } from './sim/scenario/parse.ts';
import { runScenario } from './sim/scenario/run.ts';
import { MemorySink } from './trace/sink.ts';
import { validateTraceEvents } from './models/trace-validation.ts';
const [from, to] = process.argv.slice(2).map(Number);
const scenario = loadScenario('scenarios/storage-nemesis.yaml', { knownBugs: KNOWN_BUGS });
for (let seed = from!; seed <= to!; seed++) {
  const sink = new MemorySink();
  runScenario(scenario, { seed, trace: sink });
  const r = validateTraceEvents(sink.eventLines());
  const n = r.actions["BecomeFollowerAndTruncate (below the leader's log start)"] ?? 0;
  if (n > 0 || r.failure !== null) console.log('seed', seed, n, r.failure === null ? 'ok' : 'FAIL');
}
console.log('done', from, to);

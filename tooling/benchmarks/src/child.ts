/**
 * One scenario for one SDK, in a process of its own (started by main.ts with `--expose-gc`): reads its
 * {@link ScenarioInput} from argv, runs the scenario, prints one result line, and exits.
 */
import { RESULT_PREFIX, type ScenarioInput } from './protocol.js';
import { scenarios } from './scenarios/index.js';

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '') as ScenarioInput;
  const scenario = scenarios.find((s) => s.name === input.scenario);
  if (!scenario) throw new Error(`benchmarks: no scenario "${input.scenario}"`);
  const output = await scenario.run(input);
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(output)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

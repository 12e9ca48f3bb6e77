/** Every scenario `pnpm bench` runs, in order. */
import type { Scenario } from '../protocol.js';

import { clientScenarios } from './client.js';
import { otelScenarios } from './otel.js';
import { redisScenarios } from './redis.js';

export const scenarios: readonly Scenario[] = [...clientScenarios, ...otelScenarios, ...redisScenarios];

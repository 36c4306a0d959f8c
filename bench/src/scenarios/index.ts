/** Every scenario, in the order. Add one: a file in this folder and a line here. */
import { algorithmsScenario } from './algorithms.ts';
import { authorizationCodeScenario } from './authorization-code.ts';
import { coldStartScenario } from './cold-start.ts';
import { growthScenario } from './growth.ts';
import { introspectionScenario } from './introspection.ts';
import { refreshScenario } from './refresh.ts';
import type { Scenario } from './scenario.ts';
import { tokensScenario } from './tokens.ts';
import { tokenExchangeScenario } from './token-exchange.ts';

export const scenarios: readonly Scenario[] = [tokensScenario, algorithmsScenario, refreshScenario, introspectionScenario, authorizationCodeScenario, growthScenario, coldStartScenario, tokenExchangeScenario];

import { Registry } from '../plugins/registry.js';
import { ewmaPredictor, lastValuePredictor, movingMaxPredictor, oraclePredictor, reactivePredictor } from './baselines.js';
import { lstmPredictor } from './lstm.js';
import type { PredictorDefinition } from './predictor.js';

/** Every built-in predictor a scenario can name under `adaptation.predictor.kind`. */
export const PREDICTORS = new Registry<PredictorDefinition>('predictor', [lstmPredictor, reactivePredictor, lastValuePredictor, movingMaxPredictor, ewmaPredictor, oraclePredictor] as PredictorDefinition[]);

export { SURFACES, DEFAULT_CANDIDATES_SHARE, DEFAULT_LOGGING_EXPLORATION, PolicySchema, PolicyError, RETRIEVAL_SOURCES, RETRIEVING_SURFACES, MAX_RETRIEVED, POLICY_NAME, checkSavedPolicy, defaultPolicy, parsePolicy, overridePolicy, type ParseOptions, type Policy, type Surface } from './policy.js';
export type { SeqItem, PastPlay, SeqContext, Explanation, SequencedItem, Sequence } from './types.js';
export { staticFilter, Rules } from './constraints.js';
export { Objectives, flow, camelotDistance, type Terms } from './objectives.js';
export { sequence, choiceProbabilities } from './solver.js';
export { calibrate, type CalibrationReport } from './calibrate.js';
export { teamDraft, type Team, type Interleaved } from './interleave.js';
export { drawWeights, drawDensity, DEFAULT_WEIGHTS_RADIUS, NUMERAIRE_OBJECTIVE, type WeightDraw } from './weights.js';

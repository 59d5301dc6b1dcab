/**
 * Where zenbench writes. A user's runs go to RESULTS_DIR, which git ignores, so that a run
 * leaves the checkout clean; REFERENCE_DIR holds the committed reference run and the
 * regression check's baseline and the spread between runs, replaced only on purpose (docs/bench.md, docs/check.md).
 */
export const RESULTS_DIR = 'results';
export const PROFILES_DIR = `${RESULTS_DIR}/profiles`;
export const REFERENCE_DIR = 'reference';
export const BASELINE_PATH = `${REFERENCE_DIR}/check-baseline.json`;
/** The spread between runs of the default suite on the reference machine (bench:compare --learn). */
export const RUN_TO_RUN_PATH = `${REFERENCE_DIR}/run-to-run.json`;
/** The fault suite's runs (npm run bench:faults): beside the bench's, whose pages link to them. */
export const FAULTS_SUBDIRECTORY = 'faults';
export const FAULTS_DIR = `${RESULTS_DIR}/${FAULTS_SUBDIRECTORY}`;

/**
 * Thrown from onBatch to end training where it stands (a Stop button, Ctrl-C): fit and fitMembers
 * give each model or member its best epoch's weights so far (as early stopping would), and the
 * caller catches it and goes on with what was trained.
 */
export class StopTraining extends Error {}

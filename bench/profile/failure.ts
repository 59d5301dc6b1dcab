/** A profile run that produced no usable report: one line saying why, and exit status 1. */
export class ProfileFailure extends Error {}

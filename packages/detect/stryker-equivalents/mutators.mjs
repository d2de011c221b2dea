// Mutator descriptions shared by detect's equivalent-mutant lists.

/** The commonest equivalent mutant: a loop bound one step past a typed array's end. */
export const typedArrayBound = 'EqualityOperator (< → <=)';

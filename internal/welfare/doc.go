// Package welfare ranks the families of the register by a proxy-means test
// (PMT): a model kept as versioned configuration (indicators computed from
// family and member attributes, value mappings, weights) gives every family
// a score with the contribution of each indicator, and the scores rank the
// families into welfare deciles 1 (poorest) to 10, nationally or per
// province. A decile is computed, never typed in. docs/welfare-model.md
// describes the model format and the default model.
package welfare

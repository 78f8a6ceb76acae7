package registry

// SetNameKeyChunk sets the rows RefreshNameKeys reads per statement.
func SetNameKeyChunk(r *Registry, n int) { r.nameKeyChunk = n }

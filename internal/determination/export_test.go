package determination

// SetAfterBatch sets the hook called after each committed batch (tests).
func SetAfterBatch(fn func(done int64)) { afterBatch = fn }

package store

// ConvertForTest converts v for a target column of type ty, as the copy does.
func ConvertForTest(ty string, v any) (any, error) { return converterFor(ty)(v) }

// LineEditing module

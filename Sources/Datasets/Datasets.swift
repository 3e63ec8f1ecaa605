// Datasets module

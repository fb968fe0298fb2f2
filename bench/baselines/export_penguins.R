# Regenerates examples/data/penguins.csv byte for byte from the R package modeldata.
# Run from the repository root:  Rscript bench/baselines/export_penguins.R
# Tested with R 4.2.2 and modeldata 1.1.0 (Debian package r-cran-modeldata).
data("penguins", package = "modeldata")
d <- as.data.frame(penguins)
out <- data.frame(row = seq_len(nrow(d)), d, stringsAsFactors = FALSE)
for (k in names(out)) if (is.factor(out[[k]])) out[[k]] <- as.character(out[[k]])
write.csv(out, "examples/data/penguins.csv", row.names = FALSE, quote = FALSE, na = "")

# Regenerates examples/data/cps1985.csv byte for byte from the R package AER.
# Run from the repository root:  Rscript bench/baselines/export_cps1985.R
# Tested with R 4.2.2 and AER 1.2-10 (Debian package r-cran-aer).
suppressPackageStartupMessages(library(AER))
data("CPS1985", package = "AER")
d <- CPS1985
out <- data.frame(row = seq_len(nrow(d)), d, stringsAsFactors = FALSE)
for (k in names(out)) if (is.factor(out[[k]])) out[[k]] <- as.character(out[[k]])
write.csv(out, "examples/data/cps1985.csv", row.names = FALSE, quote = FALSE, na = "")

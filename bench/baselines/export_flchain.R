# Regenerates examples/data/flchain.csv byte for byte from the R package survival.
# Run from the repository root:  Rscript bench/baselines/export_flchain.R
# Tested with R 4.2.2 and survival 3.5-3 (Debian package r-cran-survival).
#
# One row per subject (a plain table):
#   inputs:  age, sex, year of the blood sample, serum free light chain kappa and lambda (mg/L),
#            serum creatinine (mg/dL, empty when not measured) and an MGUS diagnosis
#   kept:    subjects whose status 5 years (1826 days) after the sample is known (died by then, or
#            followed beyond it)
#   target:  died_within_5y = 1 if the subject died within 1826 days of the sample, else 0
# Left out: flc.grp (a decile group of kappa + lambda, derived from two inputs) and chapter (the
# cause of death, known only after the outcome).
suppressPackageStartupMessages(library(survival))
data(flchain, package = "survival")
H <- 1826
d <- flchain[(flchain$death == 1 & flchain$futime <= H) | flchain$futime > H, ]
out <- data.frame(
  row = seq_len(nrow(d)), age = d$age, sex = ifelse(d$sex == "F", "female", "male"), sample_yr = d$sample.yr,
  kappa = d$kappa, lambda = d$lambda, creatinine = d$creatinine, mgus = ifelse(d$mgus == 1, "yes", "no"),
  died_within_5y = as.integer(d$death == 1 & d$futime <= H))
write.csv(out, "examples/data/flchain.csv", row.names = FALSE, quote = FALSE, na = "")

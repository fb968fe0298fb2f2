# Regenerates examples/data/csl.csv byte for byte from the R package timereg.
# Run from the repository root:  Rscript bench/baselines/export_csl.R
# Tested with R 4.2.2 and timereg 2.0.5 (Debian package r-cran-timereg).
#
# Landmark design (2 years): the visits of the first 730 days after randomisation
# are the inputs; the target is death within the following 3 years.
#   kept:    patients still in follow-up after day 730 whose status at day 730 + 1095 is known
#            (died in (730, 1825], or followed beyond day 1825), with at least one visit by day 730
#   target:  died_within_3y = 1 if the patient died in (730, 1825], else 0 (on every row of the patient)
suppressPackageStartupMessages(library(timereg))
data(csl, package = "timereg")
d <- csl[order(csl$id, csl$time), ]
d$day <- round(d$time * 365)          # the package stores times as days / 365
d$event_day <- round(d$eventT * 365)
L <- 730; H <- 3 * 365
first <- d[!duplicated(d$id), ]
known <- first$event_day > L & ((first$dc == 1 & first$event_day <= L + H) | first$event_day > L + H)
ids <- first$id[known]
v <- d[d$id %in% ids & d$day <= L, ]
v <- v[!duplicated(v[, c("id", "day")]), ]
out <- data.frame(
  id = v$id,
  day = v$day,
  prot = v$prot,
  prot_base = v$prot.base,
  age = v$age + 60,
  sex = ifelse(v$sex == 1, "male", "female"),
  treatment = ifelse(v$treat == 0, "prednisone", "placebo"),
  died_within_3y = as.integer(v$dc == 1 & v$event_day <= L + H)
)
write.csv(out, "examples/data/csl.csv", row.names = FALSE, quote = FALSE, na = "")

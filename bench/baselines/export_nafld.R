# Regenerates examples/data/nafld.csv byte for byte from the R package survival.
# Run from the repository root:  Rscript bench/baselines/export_nafld.R
# Tested with R 4.2.2 and survival 3.5-3 (Debian package r-cran-survival).
#
# Landmark design at the index date (day 0, the date of the NAFLD diagnosis):
#   patients: the NAFLD cases (id == case.id; the matched controls are left out)
#   inputs:   the measurements of the 3 years up to the diagnosis (-1095 < day <= 0), one row per
#             measurement day, a cell empty when that test was not done that day; age, sex, BMI
#             (empty when not recorded) and the conditions diagnosed by day 0
#   kept:     patients with at least one measurement in the window whose status at day 1825 is known
#             (died by day 1825, or followed beyond day 1825)
#   target:   died_within_5y = 1 if the patient died in (0, 1825], else 0 (on every row of the patient)
# In survival 3.5-3 the 'chol' rows of nafld2 repeat the 'hdl' values of the same day and the 'dbp'
# rows the 'sbp' values, so only hdl, sbp, fib4 and smoke are exported.
suppressPackageStartupMessages(library(survival))
data(nafld, package = "survival")
H <- 1825; W <- 1095
b <- nafld1[!is.na(nafld1$case.id) & nafld1$id == nafld1$case.id, ]
b <- b[(b$status == 1 & b$futime <= H) | b$futime > H, ]
tests <- c("hdl", "sbp", "fib4", "smoke")
m <- nafld2[nafld2$id %in% b$id & nafld2$test %in% tests & nafld2$days > -W & nafld2$days <= 0, ]
# the same test twice on one day (rare): their mean
m <- aggregate(value ~ id + days + test, data = m, FUN = mean)
v <- unique(m[, c("id", "days")])
v <- v[order(v$id, v$days), ]
for (t in tests) {
  mt <- m[m$test == t, ]
  v[[t]] <- mt$value[match(paste(v$id, v$days), paste(mt$id, mt$days))]
}
# a condition counts when it was diagnosed by day 0
prior <- function(events) {
  e <- nafld3[nafld3$event %in% events & nafld3$days <= 0, ]
  ifelse(v$id %in% e$id, "yes", "no")
}
bi <- match(v$id, b$id)
out <- data.frame(
  id = v$id,
  day = v$days,
  hdl = v$hdl,
  sbp = round(v$sbp, 1),
  fib4 = round(v$fib4, 3),
  smoke = v$smoke,
  age = b$age[bi],
  sex = ifelse(b$male[bi] == 1, "male", "female"),
  bmi = round(b$bmi[bi], 1),
  diabetes = prior("diabetes"),
  hypertension = prior("htn"),
  dyslipidemia = prior("dyslipidemia"),
  cardiovascular = prior(c("MI", "ang/isc", "heart failure", "stroke", "afib", "cardiac arrest")),
  died_within_5y = as.integer(b$status[bi] == 1 & b$futime[bi] <= H)
)
write.csv(out, "examples/data/nafld.csv", row.names = FALSE, quote = FALSE, na = "")

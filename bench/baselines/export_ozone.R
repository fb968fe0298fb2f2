# Regenerates examples/data/ozone.csv byte for byte from the R package mlbench.
# Run from the repository root:  Rscript bench/baselines/export_ozone.R
# Tested with R 4.2.2 and mlbench 2.1-3 (Debian package r-cran-mlbench).
#
# One daily series, 1976-01-01 to 1976-12-31 (366 days, consecutive), Los Angeles basin.
# Empty cells are the package's NA: 5 days without an ozone reading, 139 without the El Monte
# temperature, a few for the other instruments.
suppressPackageStartupMessages(library(mlbench))
data(Ozone, package = "mlbench")
d <- Ozone
date <- as.Date("1976-01-01") + 0:(nrow(d) - 1)
stopifnot(nrow(d) == 366, all(as.integer(d$V1) == as.integer(format(date, "%m"))), all(as.integer(d$V2) == as.integer(format(date, "%d"))))
# The package codes the weekday 1 = Monday .. 7 = Sunday (1976-01-01 was a Thursday: code 4).
stopifnot(as.integer(d$V3[1]) == 4)
out <- data.frame(
  date = format(date, "%Y-%m-%d"),
  weekday = c("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[as.integer(d$V3)],
  ozone = d$V4,
  height_500mb = d$V5,
  wind = d$V6,
  humidity = d$V7,
  temp_sandburg = d$V8,
  temp_elmonte = d$V9,
  inversion_height = d$V10,
  pressure_gradient = d$V11,
  inversion_temp = d$V12,
  visibility = d$V13
)
write.csv(out, "examples/data/ozone.csv", row.names = FALSE, quote = FALSE, na = "")

# Regenerates examples/data/chicago.csv byte for byte from the R package modeldata.
# Run from the repository root:  Rscript bench/baselines/export_chicago.R
# Tested with R 4.2.2 and modeldata 1.1.0 (Debian package r-cran-modeldata).
# Keeps the target (ridership at Clark/Lake), the daily weather and the home games;
# leaves out the package's 14-day-lagged ridership of other stations.
suppressPackageStartupMessages(library(modeldata))
data(Chicago, package = "modeldata")
d <- as.data.frame(Chicago)
d <- d[order(d$date), ]
stopifnot(all(diff(d$date) == 1))
wd <- c("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")[as.POSIXlt(d$date)$wday + 1]
out <- data.frame(
  date = format(d$date, "%Y-%m-%d"),
  weekday = wd,
  ridership = d$ridership,
  temp_min = d$temp_min, temp = d$temp, temp_max = d$temp_max,
  percip = d$percip,
  weather_rain = d$weather_rain, weather_snow = d$weather_snow,
  weather_cloud = d$weather_cloud, weather_storm = d$weather_storm,
  Bulls_Home = d$Bulls_Home, Bears_Home = d$Bears_Home, Blackhawks_Home = d$Blackhawks_Home,
  WhiteSox_Home = d$WhiteSox_Home, Cubs_Home = d$Cubs_Home
)
write.csv(out, "examples/data/chicago.csv", row.names = FALSE, quote = FALSE, na = "")

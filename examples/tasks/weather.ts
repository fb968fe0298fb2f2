// Seed 002's weather task on real data: predict tomorrow's maximum temperature from today's (and
// the previous days') max, min and precipitation. The data is the Seattle daily weather CSV of the
// npm package vega-datasets (2012-2015, 1461 days; temperatures in °C, precipitation in mm).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { csvParse } from 'd3-dsv';
import type { SequenceData } from './train.js';

export interface WeatherDay {
  date: string;
  tempMax: number;
  tempMin: number;
  precipitation: number;
}

/** The path of vega-datasets' data/seattle-weather.csv in node_modules. */
export function seattleWeatherPath(): string {
  const entry = createRequire(import.meta.url).resolve('vega-datasets');   // <pkg>/build/index.js
  return join(dirname(entry), '..', 'data', 'seattle-weather.csv');
}

/** The days of the Seattle weather CSV in date order. */
export function loadSeattleWeather(path = seattleWeatherPath()): WeatherDay[] {
  const days = csvParse(readFileSync(path, 'utf8'), (d) => ({
    date: d.date!, tempMax: Number(d.temp_max), tempMin: Number(d.temp_min), precipitation: Number(d.precipitation),
  }));
  for (const d of days) {
    if (![d.tempMax, d.tempMin, d.precipitation].every(Number.isFinite)) throw new Error(`${path}: bad row for ${d.date}`);
  }
  return [...days].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

export const WEATHER_FEATURES = ['tempMax', 'tempMin', 'precipitation'] as const;

export interface WeatherSplit {
  /** Standardized inputs (samples, seq, 3) and standardized targets (samples, 1). */
  train: SequenceData;
  validation: SequenceData;
  test: SequenceData;
  /** Mean and standard deviation of each input feature over the training days. */
  featureMean: number[];
  featureStd: number[];
  /** The target is tempMax: standardized with the training days' tempMax statistics. */
  targetMean: number;
  targetStd: number;
  /** Days in each part (chronological) and the date ranges. */
  days: [number, number, number];
  ranges: [string, string][];
}

export interface WeatherOptions {
  /** Days per input sequence (default 7): days t - seq + 1 .. t predict tempMax of day t + 1. */
  seq?: number;
  /** Fractions of the days for training and validation (default 0.7, 0.15); the rest is the test part. */
  trainFraction?: number;
  validationFraction?: number;
}

/**
 * Splits the days chronologically (70/15/15), standardizes every feature with the training days'
 * mean and (population) standard deviation, and cuts each part into sequences of `seq` days whose
 * target, the next day's tempMax, lies in the same part.
 */
export function weatherTask(days: WeatherDay[], options: WeatherOptions = {}): WeatherSplit {
  const seq = options.seq ?? 7;
  const n = days.length;
  const a = Math.floor(n * (options.trainFraction ?? 0.7));
  const b = Math.floor(n * ((options.trainFraction ?? 0.7) + (options.validationFraction ?? 0.15)));
  const trainDays = days.slice(0, a);
  const featureMean = WEATHER_FEATURES.map((f) => trainDays.reduce((s, d) => s + d[f], 0) / trainDays.length);
  const featureStd = WEATHER_FEATURES.map((f, i) =>
    Math.sqrt(trainDays.reduce((s, d) => s + (d[f] - featureMean[i]) ** 2, 0) / trainDays.length));
  const [targetMean, targetStd] = [featureMean[0], featureStd[0]];
  const windows = (part: WeatherDay[]): SequenceData => {
    const samples = Math.max(0, part.length - seq);
    const x = new Float32Array(samples * seq * 3), y = new Float32Array(samples);
    for (let s = 0; s < samples; s++) {
      for (let k = 0; k < seq; k++) {
        WEATHER_FEATURES.forEach((f, i) => { x[(s * seq + k) * 3 + i] = (part[s + k][f] - featureMean[i]) / featureStd[i]; });
      }
      y[s] = (part[s + seq].tempMax - targetMean) / targetStd;
    }
    return { x, y, samples, seq, features: 3, outputs: 1 };
  };
  const parts = [days.slice(0, a), days.slice(a, b), days.slice(b)];
  return {
    train: windows(parts[0]), validation: windows(parts[1]), test: windows(parts[2]),
    featureMean, featureStd, targetMean, targetStd,
    days: [parts[0].length, parts[1].length, parts[2].length],
    ranges: parts.map((p) => [p[0].date, p[p.length - 1].date] as [string, string]),
  };
}

/**
 * The persistence forecast, tomorrow's tempMax = today's, on the standardized scale (the last
 * input step's tempMax, standardized with the same statistics as the target).
 */
export function persistence(data: SequenceData): Float32Array {
  const out = new Float32Array(data.samples);
  for (let s = 0; s < data.samples; s++) out[s] = data.x[(s * data.seq + data.seq - 1) * data.features];
  return out;
}

// The package version, written into saved model files (test/model-file.test.ts checks it against package.json).
export const VERSION = '0.1.0';

// rnam's typed errors: catch RnamError for anything rnam throws on purpose, or one kind by class.
export class RnamError extends Error {
  override name = 'RnamError';
}
/** Tensor shapes that do not fit the operation. */
export class ShapeError extends RnamError {
  override name = 'ShapeError';
}
/** A device that is missing, lost, disposed or failed. */
export class DeviceError extends RnamError {
  override name = 'DeviceError';
}
/** An allocation the device cannot satisfy. */
export class OutOfMemoryError extends RnamError {
  override name = 'OutOfMemoryError';
}
/** A NaN or infinity where a finite value is needed. */
export class NonFiniteError extends RnamError {
  override name = 'NonFiniteError';
}
/** A state dict that does not match the module. */
export class StateDictError extends RnamError {
  override name = 'StateDictError';
}
/** A file that breaks its format (safetensors). */
export class FileFormatError extends RnamError {
  override name = 'FileFormatError';
}
/** A bad argument or option (a value out of range, an unparsable setting). */
export class ArgumentError extends RnamError {
  override name = 'ArgumentError';
}

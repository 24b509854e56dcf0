// Typed protocol errors with stable codes (listed in protocol/README.md). Tests assert `code`,
// never message text. Every decoding error is terminal for the connection that caused it.

export const ErrorCode = {
  FRAME_TOO_SHORT: 'WC_ERR_FRAME_TOO_SHORT',
  FRAME_TOO_LARGE: 'WC_ERR_FRAME_TOO_LARGE',
  TRUNCATED: 'WC_ERR_TRUNCATED',
  TRAILING_BYTES: 'WC_ERR_TRAILING_BYTES',
  BAD_STRING: 'WC_ERR_BAD_STRING',
  STRING_TOO_LONG: 'WC_ERR_STRING_TOO_LONG',
  BAD_OBJID: 'WC_ERR_BAD_OBJID',
  BAD_CO_FRAME: 'WC_ERR_BAD_CO_FRAME',
  VALUE_RANGE: 'WC_ERR_VALUE_RANGE',
  BAD_PROPERTY: 'WC_ERR_BAD_PROPERTY',
  UNKNOWN_COMMAND: 'WC_ERR_UNKNOWN_COMMAND',
  DECODER_DEAD: 'WC_ERR_DECODER_DEAD',
  LINK_BAD_MESSAGE: 'WC_ERR_LINK_BAD_MESSAGE',
  LINK_TOO_LARGE: 'WC_ERR_LINK_TOO_LARGE',
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export class ProtocolError extends Error {
  readonly code: ErrorCodeValue;

  constructor(code: ErrorCodeValue, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

export function protocolError(code: ErrorCodeValue, message: string): ProtocolError {
  return new ProtocolError(code, message);
}

export function isProtocolError(err: unknown): err is ProtocolError {
  return err instanceof ProtocolError;
}

/** Errors shaped like the SDK's service exceptions (name = AWS code, $metadata, $fault). */
export function awsError(code: string, message = code, status = 400): Error {
  return Object.assign(new Error(message), {
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, attempts: 1 },
  });
}

/** A list's refusal or the broker being unreachable: the server's sentence, in place of the rows. */
export function ListError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <p role="alert" className="mt-6 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
      {message}
    </p>
  );
}

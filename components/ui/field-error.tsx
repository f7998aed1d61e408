/** A form field's error sentence, or nothing; the field names it in aria-describedby (`id`) and sets aria-invalid. */
export function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <p id={id} className="mt-1 text-sm text-red-700">
      {message}
    </p>
  );
}

/** What aria-describedby of a field is: its hint (if any) and, while there is one, its error. */
export function describedBy(
  hint: string | undefined,
  errorId: string,
  message: string | undefined,
): string | undefined {
  return [hint, message ? errorId : undefined].filter(Boolean).join(" ") || undefined;
}

// A form's error list, shown above its fields.
export function FormErrors({ errors }: { errors: string[] }) {
  if (errors.length === 0) return "";
  return (
    <ul class="form-errors" role="alert">
      {errors.map((e) => (
        <li safe>{e}</li>
      ))}
    </ul>
  );
}

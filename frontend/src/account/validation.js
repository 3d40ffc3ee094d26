// Checks of the sign-up form before it is sent. allauth checks everything
// again (uniqueness, Django's password validators), and its messages are
// shown next to the fields when it rejects a value.
export const PASSWORD_MIN_LENGTH = 8;
export const USERNAME_MAX_LENGTH = 150;
// Django's username validator: letters, digits and @ . + - _
const USERNAME_PATTERN = /^[\p{L}\p{N}@.+\-_]+$/u;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Returns `{field: message}` for the sign-up form; empty when it may be sent. */
export function validateSignUp({ email, username, password }) {
  const errors = {};
  const address = (email ?? "").trim();
  if (address === "") {
    errors.email = "Email is missing; enter the address we should send the confirmation to.";
  } else if (!EMAIL_PATTERN.test(address)) {
    errors.email = `Email ${address} is not a valid address; enter one such as name@example.com.`;
  }

  const name = (username ?? "").trim();
  if (name === "") {
    errors.username = "Username is missing; choose the name others will see.";
  } else if (name.length > USERNAME_MAX_LENGTH) {
    errors.username = `Username has ${name.length} characters; the maximum is ${USERNAME_MAX_LENGTH}.`;
  } else if (!USERNAME_PATTERN.test(name)) {
    errors.username = "Username may contain only letters, digits and @ . + - _ characters.";
  }

  if (!password) {
    errors.password = "Password is missing; choose one of at least 8 characters.";
  } else if (password.length < PASSWORD_MIN_LENGTH) {
    errors.password = `Password has ${password.length} characters; use at least ${PASSWORD_MIN_LENGTH}.`;
  }
  return errors;
}

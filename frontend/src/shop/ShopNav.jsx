import { NavLink } from "react-router-dom";

import { useShop } from "./ShopContext";

/**
 * Renders a header link with a count badge. The accessible name starts
 * with the visible text and names what the number counts ("Cart 2 items").
 */
function CountedLink({ to, text, count, noun }) {
  if (!count) {
    return <NavLink to={to}>{text}</NavLink>;
  }
  return (
    <NavLink to={to} aria-label={`${text} ${count} ${noun}`}>
      {text} <span className="count-badge">{count}</span>
    </NavLink>
  );
}

/** Renders the header links of a signed-in user's shopping pages. */
export function ShopNav() {
  const { cartCount, unreadCount } = useShop();
  return (
    <>
      <CountedLink to="/cart" text="Cart" count={cartCount} noun={cartCount === 1 ? "item" : "items"} />
      <NavLink to="/favorites">Favorites</NavLink>
      <NavLink to="/orders">Orders</NavLink>
      <NavLink to="/offers">Offers</NavLink>
      <CountedLink to="/notifications" text="Notifications" count={unreadCount} noun="unread" />
    </>
  );
}

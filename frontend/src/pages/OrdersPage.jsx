import { fetchOrders } from "../api/shop";
import { useAuth } from "../auth/AuthContext";
import { usePageTitle } from "../hooks/usePageTitle";
import { LoadedList } from "../shop/LoadedList";
import { OrderCard } from "../shop/OrderCard";
import { SignInFirst } from "../shop/SignInFirst";
import { useLoaded } from "../shop/useLoaded";

function OrderSection({ role, title, emptyMessage }) {
  const list = useLoaded((options) => fetchOrders(role, options));
  const headingId = `orders-${role}`;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <LoadedList list={list} loadingLabel={`Loading ${title.toLowerCase()}`} emptyMessage={emptyMessage} className="order-list">
        {(order) => (
          <OrderCard
            key={order.id}
            order={order}
            role={role}
            onChange={(changed) => list.setItems((orders) => orders.map((item) => (item.id === changed.id ? changed : item)))}
          />
        )}
      </LoadedList>
    </section>
  );
}

export function OrdersPage() {
  const { user } = useAuth();
  usePageTitle("Orders");
  return (
    <>
      <h1>Orders</h1>
      {user ? (
        <>
          <OrderSection
            role="buying"
            title="Your purchases"
            emptyMessage="You have not bought anything yet. Checked-out carts appear here."
          />
          <OrderSection
            role="selling"
            title="Your sales"
            emptyMessage="Nobody has ordered your listings yet."
          />
        </>
      ) : (
        <SignInFirst what="your orders" />
      )}
    </>
  );
}

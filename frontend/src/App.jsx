import { BrowserRouter, Route, Routes } from "react-router-dom";

import { AuthProvider } from "./auth/AuthContext";
import { EditListingPage } from "./pages/EditListingPage";
import { PasswordResetFromKeyPage, PasswordResetRequestPage } from "./pages/PasswordResetPage";
import { ProfilePage } from "./pages/ProfilePage";
import { SignUpPage } from "./pages/SignUpPage";
import { VerifyEmailPage } from "./pages/VerifyEmailPage";
import { Layout } from "./components/Layout";
import { FeedPage } from "./pages/FeedPage";
import { ListingPage } from "./pages/ListingPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { SearchPage } from "./pages/SearchPage";
import { SellPage } from "./pages/SellPage";
import { SignInPage } from "./pages/SignInPage";
import { CartPage } from "./pages/CartPage";
import { FavoritesPage } from "./pages/FavoritesPage";
import { NotificationsPage } from "./pages/NotificationsPage";
import { OffersPage } from "./pages/OffersPage";
import { OrdersPage } from "./pages/OrdersPage";
import { ShopProvider } from "./shop/ShopContext";

// Django serves the app under this path (webapp/urls.py) with a catch-all,
// so every client route below loads the same page.
export const APP_BASENAME = "/app";

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<FeedPage />} />
        <Route path="listings/:id" element={<ListingPage />} />
        <Route path="search" element={<SearchPage />} />
        <Route path="sell" element={<SellPage />} />
        <Route path="sign-in" element={<SignInPage />} />
        <Route path="cart" element={<CartPage />} />
        <Route path="favorites" element={<FavoritesPage />} />
        <Route path="orders" element={<OrdersPage />} />
        <Route path="offers" element={<OffersPage />} />
        <Route path="notifications" element={<NotificationsPage />} />
        {/* Account pages; the paths are also in HEADLESS_FRONTEND_URLS. */}
        <Route path="sign-up" element={<SignUpPage />} />
        <Route path="verify-email/:key" element={<VerifyEmailPage />} />
        <Route path="password/reset" element={<PasswordResetRequestPage />} />
        <Route path="password/reset/:key" element={<PasswordResetFromKeyPage />} />
        <Route path="profile" element={<ProfilePage />} />
        <Route path="listings/:id/edit" element={<EditListingPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

export function App({ initialUser }) {
  return (
    <AuthProvider initialUser={initialUser}>
      <ShopProvider>
        <BrowserRouter basename={APP_BASENAME}>
          <AppRoutes />
        </BrowserRouter>
      </ShopProvider>
    </AuthProvider>
  );
}

export const metadata = { title: 'Membership — hookwise example' };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', margin: '2rem', maxWidth: '60rem' }}>
        <nav style={{ marginBottom: '1rem' }}>
          <a href="/">Membership</a> · <a href="/admin/webhooks">Webhook log</a>
        </nav>
        {children}
      </body>
    </html>
  );
}

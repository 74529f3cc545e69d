'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { FiringCount } from './firing-count';
import { SessionMenu } from './sign-in';
import { useSession } from '@/lib/auth';

const LINKS = [
  { href: '/', label: 'Matrix', match: (p: string) => p === '/' || p.startsWith('/services') },
  { href: '/timeline/', label: 'Timeline', match: (p: string) => p.startsWith('/timeline') || p.startsWith('/events') },
  { href: '/rollouts/', label: 'Rollouts', match: (p: string) => p.startsWith('/rollouts') },
  { href: '/health/', label: 'Health', match: (p: string) => p.startsWith('/health') || p.startsWith('/systems') || p.startsWith('/checks') },
  { href: '/alerts/', label: 'Alerts', match: (p: string) => p.startsWith('/alerts') },
  { href: '/dora/', label: 'DORA', match: (p: string) => p.startsWith('/dora') },
  { href: '/costs/', label: 'Costs', match: (p: string) => p.startsWith('/costs') },
  { href: '/environments/', label: 'Environments', match: (p: string) => p.startsWith('/environments') },
  { href: '/dead-letters/', label: 'Dead letters', match: (p: string) => p.startsWith('/dead-letters') },
];

export function Nav() {
  const pathname = usePathname() ?? '/';
  // The admin page is for admins only (the API refuses everyone else anyway).
  const { can } = useSession();
  const adminActive = pathname.startsWith('/admin');
  return (
    <nav aria-label="Main" className="nav">
      <ul>
        {LINKS.map((link) => {
          const active = link.match(pathname);
          return (
            <li key={link.href}>
              <Link href={link.href} className={active ? 'nav__link nav__link--active' : 'nav__link'} aria-current={active ? 'page' : undefined}>
                {link.label}
                {link.href === '/alerts/' ? <FiringCount /> : null}
              </Link>
            </li>
          );
        })}
        {can('settings:write') ? (
          <li>
            <Link href="/admin/" className={adminActive ? 'nav__link nav__link--active' : 'nav__link'} aria-current={adminActive ? 'page' : undefined}>
              Admin
            </Link>
          </li>
        ) : null}
      </ul>
      <SessionMenu />
    </nav>
  );
}

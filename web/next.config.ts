import type { NextConfig } from 'next';

// A static site for S3 + CloudFront (and the local runtime): no server, so every page is a shell
// whose client components read the API on the same origin. Entities are addressed by query string
// (`/services/?name=payments`) because dynamic segments would need generateStaticParams.
const config: NextConfig = {
  output: 'export',
  trailingSlash: true,
  images: { unoptimized: true },
  reactStrictMode: true,
  poweredByHeader: false,
};

export default config;

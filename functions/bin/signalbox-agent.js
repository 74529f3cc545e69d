#!/usr/bin/env node
// Launcher for the `signalbox-agent` bin: runs the TypeScript CLI through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/agent/main.ts');

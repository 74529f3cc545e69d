import { buildApp } from './build-app';

const { app } = buildApp();
app.synth();

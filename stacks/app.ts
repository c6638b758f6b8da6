#!/usr/bin/env node
import { App } from "aws-cdk-lib";

/** The only `new App()` in the repository: every deployable example stack is added here. */
const app = new App();
app.synth();

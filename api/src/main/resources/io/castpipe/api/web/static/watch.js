import { el } from './castpipe.js';

import { mount } from 'svelte';
import App from './components/App.svelte';
import { applyTheme } from './lib/monaco';
import './app.css';

// The editors follow the OS theme, as the rest of the page does through CSS.
const dark = window.matchMedia('(prefers-color-scheme: dark)');
applyTheme(dark.matches);
dark.addEventListener('change', (e) => applyTheme(e.matches));

mount(App, { target: document.getElementById('app')! });

// Types of the vendored uPlot build: those of the npm package it is copied from (see ../../../README.md).
import uPlot from "uplot";
export default uPlot;

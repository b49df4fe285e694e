// What a chart line looks like to a person: its computed fill, stroke
// colour and width.
export async function lineStyle(line) {
  return line.evaluate((el) => {
    const style = getComputedStyle(el);
    return { fill: style.fill, stroke: style.stroke, width: parseFloat(style.strokeWidth) };
  });
}

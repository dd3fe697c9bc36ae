package reports

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Chart sizes in pixels: wide enough for 10 labelled bars, small enough for
// an e-mail.
const (
	ChartWidth  = 800
	ChartHeight = 400
)

// Chart names, also the suffix of the PNG files written beside a Markdown
// digest.
const (
	ChartFunding = "funding"
	ChartVolume  = "volume"
)

// ChartImage is one rendered chart.
type ChartImage struct {
	Name  string
	Title string
	PNG   []byte
}

// exchangeColors are assigned in Digest.Exchanges order, so an exchange
// keeps its colour across both charts.
var exchangeColors = []color.RGBA{
	{0xE6, 0xA7, 0x00, 0xff}, // amber
	{0x25, 0x63, 0xEB, 0xff}, // blue
	{0x16, 0xA3, 0x4A, 0xff}, // green
	{0xDC, 0x26, 0x26, 0xff}, // red
	{0x7C, 0x3A, 0xED, 0xff}, // purple
	{0x08, 0x91, 0xB2, 0xff}, // cyan
}

var (
	colText  = color.RGBA{0x11, 0x18, 0x27, 0xff}
	colMuted = color.RGBA{0x6B, 0x72, 0x80, 0xff}
	colGrid  = color.RGBA{0xE5, 0xE7, 0xEB, 0xff}
	colAxis  = color.RGBA{0x37, 0x41, 0x51, 0xff}
)

// Charts draws the digest's charts: annualized funding across exchanges for
// the widest divergences, and 24h volume share by exchange for the largest
// coins.
func Charts(d Digest) ([]ChartImage, error) {
	specs := []struct {
		name, title string
		draw        func(*canvas, Digest)
	}{
		{ChartFunding, fmt.Sprintf("Annualized funding (%%/yr), top %d divergences", fundingChartSymbols), drawFunding},
		{ChartVolume, fmt.Sprintf("24h volume share by exchange, top %d coins", volumeChartCoins), drawVolume},
	}
	out := make([]ChartImage, 0, len(specs))
	for _, s := range specs {
		c := newCanvas(ChartWidth, ChartHeight)
		c.text(16, 22, s.title, colText)
		s.draw(c, d)
		var b bytes.Buffer
		if err := png.Encode(&b, c.img); err != nil {
			return nil, fmt.Errorf("chart %s: encode png: %w", s.name, err)
		}
		out = append(out, ChartImage{Name: s.name, Title: s.title, PNG: b.Bytes()})
	}
	return out, nil
}

// plot area margins: y labels on the left, legend on top, x labels below.
const (
	marginLeft   = 64
	marginRight  = 16
	marginTop    = 56
	marginBottom = 44
)

func drawFunding(c *canvas, d Digest) {
	if len(d.FundingChart) == 0 {
		c.noData()
		return
	}
	c.legend(d.Exchanges)
	lo, hi := 0.0, 0.0
	for _, g := range d.FundingChart {
		for _, v := range g.Annualized {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if hi-lo == 0 {
		lo, hi = -0.01, 0.01
	}
	step := niceStep((hi - lo) / 5)
	lo, hi = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	top, bottom := marginTop, ChartHeight-marginBottom
	y := func(v float64) int { return bottom - int(math.Round((v-lo)/(hi-lo)*float64(bottom-top))) }
	for k := 0; k <= int(math.Round((hi-lo)/step)); k++ {
		v := lo + float64(k)*step
		yy := y(v)
		c.hline(marginLeft, ChartWidth-marginRight, yy, colGrid)
		label := trimFloat(v*100, 1) + "%"
		c.text(marginLeft-8-7*len(label), yy+4, label, colMuted)
	}
	c.hline(marginLeft, ChartWidth-marginRight, y(0), colAxis)

	groupW := float64(ChartWidth-marginLeft-marginRight) / float64(len(d.FundingChart))
	barW := int(groupW * 0.8 / float64(max(1, len(d.Exchanges))))
	for i, g := range d.FundingChart {
		x0 := marginLeft + int(float64(i)*groupW+groupW*0.1)
		for j, ex := range d.Exchanges {
			v, ok := g.Annualized[ex]
			if !ok {
				continue
			}
			y0, y1 := y(0), y(v)
			if y1 > y0 {
				y0, y1 = y1, y0
			}
			if y0 == y1 {
				y0++ // a zero rate still shows as a hairline
			}
			c.rect(x0+j*barW, y1, x0+(j+1)*barW-1, y0, exchangeColors[j%len(exchangeColors)])
		}
		c.centered(marginLeft+int(float64(i)*groupW+groupW/2), bottom+18, shortSymbol(g.Unified), int(groupW), colText)
	}
}

func drawVolume(c *canvas, d Digest) {
	if len(d.VolumeChart) == 0 {
		c.noData()
		return
	}
	c.legend(d.Exchanges)
	top, bottom := marginTop+14, ChartHeight-marginBottom // room for totals above the bars
	for p := 0; p <= 100; p += 25 {
		yy := bottom - p*(bottom-top)/100
		c.hline(marginLeft, ChartWidth-marginRight, yy, colGrid)
		label := fmt.Sprintf("%d%%", p)
		c.text(marginLeft-8-7*len(label), yy+4, label, colMuted)
	}
	groupW := float64(ChartWidth-marginLeft-marginRight) / float64(len(d.VolumeChart))
	for i, v := range d.VolumeChart {
		x0 := marginLeft + int(float64(i)*groupW+groupW*0.15)
		x1 := marginLeft + int(float64(i+1)*groupW-groupW*0.15)
		acc := 0.0
		for j, ex := range d.Exchanges {
			share := v.ByExchange[ex] / v.TotalUSD
			if share <= 0 {
				continue
			}
			yTop := bottom - int(math.Round((acc+share)*float64(bottom-top)))
			yBot := bottom - int(math.Round(acc*float64(bottom-top)))
			c.rect(x0, yTop, x1-1, yBot-1, exchangeColors[j%len(exchangeColors)])
			acc += share
		}
		mid := (x0 + x1) / 2
		c.centered(mid, top-4, formatUSD(v.TotalUSD), int(groupW), colMuted)
		c.centered(mid, bottom+18, v.Coin, int(groupW), colText)
	}
	c.hline(marginLeft, ChartWidth-marginRight, bottom, colAxis)
}

// shortSymbol drops the settle part when it equals the quote: BTC/USDT
// for BTC/USDT:USDT, so labels fit under a bar group.
func shortSymbol(u string) string {
	pair, settle, ok := strings.Cut(u, ":")
	if !ok {
		return u
	}
	if _, quote, _ := strings.Cut(pair, "/"); quote == settle {
		return pair
	}
	return u
}

// niceStep rounds a raw tick step up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// canvas is an RGBA image with the few primitives the charts need.
type canvas struct {
	img *image.RGBA
}

func newCanvas(w, h int) *canvas {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	return &canvas{img: img}
}

// rect fills the inclusive rectangle (x0,y0)-(x1,y1).
func (c *canvas) rect(x0, y0, x1, y1 int, col color.Color) {
	draw.Draw(c.img, image.Rect(x0, y0, x1+1, y1+1), image.NewUniform(col), image.Point{}, draw.Src)
}

func (c *canvas) hline(x0, x1, y int, col color.Color) { c.rect(x0, y, x1, y, col) }

// text draws s with its baseline at y.
func (c *canvas) text(x, y int, s string, col color.Color) {
	dr := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	dr.DrawString(s)
}

// centered draws s centred on x, cut to fit width pixels.
func (c *canvas) centered(x, y int, s string, width int, col color.Color) {
	const charW = 7
	if r := []rune(s); width/charW > 2 && len(r) > width/charW {
		s = string(r[:width/charW-2]) + ".."
	}
	w := font.MeasureString(basicfont.Face7x13, s).Ceil()
	c.text(x-w/2, y, s, col)
}

// legend draws one swatch per exchange, right-aligned under the title.
func (c *canvas) legend(exchanges []string) {
	x := ChartWidth - marginRight
	for i := len(exchanges) - 1; i >= 0; i-- {
		w := 7*len(exchanges[i]) + 18
		x -= w
		c.rect(x, 32, x+10, 42, exchangeColors[i%len(exchangeColors)])
		c.text(x+14, 42, exchanges[i], colText)
		x -= 14
	}
}

func (c *canvas) noData() {
	c.centered(ChartWidth/2, ChartHeight/2, "No data", ChartWidth, colMuted)
}
